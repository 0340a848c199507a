// Public API of @netsuite-oauth/governance-redis: named exports only.
export {};
