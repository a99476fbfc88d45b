/**
 * What the Express, Koa, Fastify and Hono examples share, so each example's own files show only
 * its framework:
 * the dev world, the dev server start-up, and the story tests.
 *
 * @packageDocumentation
 */
export {
  DEV_SHARED_SECRET,
  DEV_GRANTS,
  DEV_PROTECT,
  DEV_USERS,
  DEV_SERVICE_ACCOUNTS,
  devAudit,
  devOptions,
  type DevKeys,
} from './dev-config.js';
export { profileOf } from './profile.js';
export { startDevServer, type ListenableApp } from './dev-server.js';
export { storyTests } from './story-tests.js';
export { mainScriptTests } from './main-script-tests.js';
