// Public API of @netsuite-oauth/token-store-test-suite: named exports only.
export { type DescribeTokenStoreOptions, describeTokenStore, type TokenStoreSuiteGroup } from './suite.js';
