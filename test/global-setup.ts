// Runs once before all test files. Kept as the place for suite-wide setup
// (building firmware bundles) so every test sees the bytes that get flashed.
export default async function setup(): Promise<void> {}
