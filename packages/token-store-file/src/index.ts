// Public API of @netsuite-oauth/token-store-file: named exports only.
export {};
