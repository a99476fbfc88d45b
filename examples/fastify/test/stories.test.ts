// The three stories of SPEC 1, over real HTTP on 127.0.0.1 (shared with the other examples).
import { storyTests } from '@pomerium-auth/example-support';
import { createApp, listenable } from '@pomerium-auth/example-fastify/app';

storyTests((options) => listenable(createApp(options)));
