// Container health probe without curl: GET the API's /health (or the URL given as the first
// argument) on loopback and exit 0 only for a 200 within 3 seconds. CommonJS on purpose:
// it runs with plain `node`, outside the application's ES-module build.
'use strict';
const http = require('node:http');

const url = process.argv[2] || `http://127.0.0.1:${process.env.JARVIS_PORT || process.env.PORT || 8000}/health`;
const req = http.get(url, { timeout: 3000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => { req.destroy(); process.exit(1); });
req.on('error', () => process.exit(1));
