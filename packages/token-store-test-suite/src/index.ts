// Public API of @netsuite-oauth/token-store-test-suite: named exports only.
export {};
