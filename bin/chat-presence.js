#!/usr/bin/env node
// The CLI entry point. `npm install` compiles src/ to dist/ (the `prepare` script).
import "../dist/cli/main.js";
