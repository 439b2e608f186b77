/**
 * Interop: headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
 * against our server attached to a node:http server (`server` option, path /ws) that also
 * serves the test page. The cases are in test/helpers/interop-cases/chromium-cases.ts,
 * shared with the wss:// twin (chromium-tls.test.ts).
 */
import { test } from 'uvu';
import { chromiumCases } from '../helpers/interop-cases/chromium-cases.js';
import { chromiumLauncher } from '../helpers/interop-cases/chromium-page.js';
import { interopTarget } from '../helpers/interop-cases/targets.js';

const launcher = chromiumLauncher();
chromiumCases(test, interopTarget(false, 'attached'), launcher);
test.after(launcher.close);

test.run();
