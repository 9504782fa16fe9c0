#!/usr/bin/env node
// The `hanota` executable: registers tsx so Node runs the TypeScript sources, then starts the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
