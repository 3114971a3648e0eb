#!/usr/bin/env node
'use strict';
// The operator's command, `deep-inspection` (package.json "bin"): runs the TypeScript entry in this
// process through tsx's CommonJS API, so `npx deep-inspection …` works after `npm ci` with no build
// step, on Node 20 and later. `npm run reconcile -- …` runs this same file.
const path = require('node:path');

const root = path.join(__dirname, '..');
// tsx reads the tsconfig of the working directory unless told: the command's own, wherever it is run from.
const tsconfig = process.env.TSX_TSCONFIG_PATH;
process.env.TSX_TSCONFIG_PATH = path.join(root, 'tsconfig.json');
require('tsx/cjs/api').register();
if (tsconfig === undefined) delete process.env.TSX_TSCONFIG_PATH;
else process.env.TSX_TSCONFIG_PATH = tsconfig;

const { main } = require(path.join(root, 'cli', 'main.ts'));
const { processIo } = require(path.join(root, 'cli', 'terminal.ts'));

main(process.argv.slice(2), processIo()).then(
  (status) => {
    process.exitCode = status;
  },
  (error) => {
    // main turns every failure into a message and a status; this is a bug in it.
    console.error(error);
    process.exitCode = 1;
  },
);
