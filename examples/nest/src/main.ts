// Start with POMERIUM_JWKS_URL, POMERIUM_AUDIENCE (and POMERIUM_SHARED_SECRET for service accounts) set.
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

const app = await NestFactory.create(AppModule.register());
await app.listen(Number(process.env.PORT ?? 3000));
