#!/usr/bin/env node
// The CLI entry point. `npm install` compiles src/ to dist/ (the `prepare` script). The Node.js
// version is checked before anything else loads, so that an unsupported one gets a plain answer
// rather than whatever error the first incompatible module happens to throw.
import { unsupportedNode } from "./node-version.js";

const problem = unsupportedNode(process.versions.node);
if (problem) {
  console.error(problem);
  process.exit(1);
}
await import("../dist/cli/main.js");
