// Public API of @netsuite-oauth/token-store-redis: named exports only.
export {};
