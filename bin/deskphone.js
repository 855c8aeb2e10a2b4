#!/usr/bin/env node
// The only place that exits: cli() returns an exit code and results.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../provisioner/cli.ts');
process.exitCode = await main(process.argv.slice(2));
