// Public API of @netsuite-oauth/cli: named exports only.
export {};
