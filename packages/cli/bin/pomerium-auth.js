#!/usr/bin/env node
import { runCli } from '../dist/esm/index.js';

process.exitCode = await runCli(process.argv.slice(2));
