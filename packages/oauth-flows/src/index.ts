// Public API of @netsuite-oauth/oauth-flows: named exports only.
export {};
