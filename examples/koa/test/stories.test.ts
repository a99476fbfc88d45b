// The three stories of SPEC 1, over real HTTP on 127.0.0.1 (shared with the other examples).
import { storyTests } from '@pomerium-auth/example-support';
import { createApp } from '@pomerium-auth/example-koa/app';

storyTests(createApp);
