#!/usr/bin/env node
// The `jarvis` executable (package.json "bin"): runs src/cli/jarvis.ts from its TypeScript
// sources through tsx's loader, from any working directory. The built image runs
// dist/src/cli/jarvis.js directly instead.
import { register } from 'tsx/esm/api';

register();
await import('./jarvis.ts');
