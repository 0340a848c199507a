// Public API of @netsuite-oauth/emulator: named exports only.
export {};
