// Public API of @netsuite-oauth/jwt-assertion: named exports only.
export {};
