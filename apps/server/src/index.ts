// Public API of @netsuite-oauth/server: named exports only.
export {};
