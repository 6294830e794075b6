#!/usr/bin/env node
import { runCli } from './cli.js';

// Exit explicitly: a stopped Runtime may leave handles (sockets closing, timers) that would otherwise delay the exit.
process.exit(await runCli(process.argv.slice(2)));
