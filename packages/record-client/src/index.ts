// Public API of @netsuite-oauth/record-client: named exports only.
export {};
