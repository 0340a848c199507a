// Public API of @netsuite-oauth/token-store: named exports only.
export {};
