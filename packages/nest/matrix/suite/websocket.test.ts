// WebSocket gateways behind PomeriumAuthGuard, over real connections: socket.io
// (@nestjs/platform-socket.io) and ws (@nestjs/platform-ws).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import {
  Catch,
  Module,
  UseFilters,
  UseGuards,
  type ArgumentsHost,
  type ExceptionFilter,
  type Type,
} from '@nestjs/common';
import {
  ConnectedSocket,
  SubscribeMessage,
  WebSocketGateway,
  WsException,
  type OnGatewayConnection,
} from '@nestjs/websockets';
import { WsAdapter } from '@nestjs/platform-ws';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { WebSocket } from 'ws';
import type { PomeriumAuthOptions } from '@pomerium-auth/core';
import {
  EffectiveUser,
  ForbidImpersonation,
  InitiatingUser,
  PomeriumAuthGuard,
  PomeriumAuthModule,
  PomeriumIdentity,
  setUpgradeRequest,
} from '@pomerium-auth/nest';
import { assertionHeaders } from '@pomerium-auth/testing';
import { startNestApp, type RunningApp } from './nest-app.js';
import { issuerFixture } from './fixtures.js';

interface Handshake {
  handshake?: { headers: Record<string, unknown> };
}

@WebSocketGateway()
@UseGuards(PomeriumAuthGuard)
class SocketIoGateway {
  @SubscribeMessage('whoami')
  whoami(
    @EffectiveUser('id') id: string,
    @InitiatingUser('id') by: string,
    @PomeriumIdentity('impersonating') impersonating: boolean,
    @ConnectedSocket() client: Handshake,
  ) {
    const left = client.handshake?.headers['impersonate-user'] ?? null;
    return { id, by, impersonating, impersonationHeaderLeft: left };
  }

  @SubscribeMessage('secret')
  @ForbidImpersonation()
  secret(@EffectiveUser('id') id: string) {
    return { secret: `of ${id}` };
  }
}

/**
 * Sends a gateway's exceptions to a `ws` client. Nest 12's default filter does this; on Nest 10
 * and 11 it calls `client.emit`, which a `ws` client only dispatches to itself.
 */
@Catch()
class SendExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const data =
      exception instanceof WsException
        ? exception.getError()
        : { thrown: exception instanceof Error ? exception.message : String(exception) };
    host
      .switchToWs()
      .getClient<WebSocket>()
      .send(JSON.stringify({ event: 'exception', data }));
  }
}

@WebSocketGateway({ path: '/ws' })
@UseGuards(PomeriumAuthGuard)
@UseFilters(SendExceptionsFilter)
class WsGateway implements OnGatewayConnection {
  handleConnection(client: WebSocket, request: IncomingMessage) {
    if (request.headers['x-test-no-upgrade-request'] === undefined)
      setUpgradeRequest(client, request);
  }

  @SubscribeMessage('whoami')
  whoami(@EffectiveUser('id') id: string, @InitiatingUser('id') by: string) {
    return { event: 'whoami', data: { id, by } };
  }

  @SubscribeMessage('secret')
  @ForbidImpersonation()
  secret(@EffectiveUser('id') id: string) {
    return { event: 'secret', data: { secret: `of ${id}` } };
  }
}

function gatewayModule(options: PomeriumAuthOptions, gateway: Type<unknown>): Type<unknown> {
  @Module({ imports: [PomeriumAuthModule.forRoot(options)], providers: [gateway] })
  class GatewayModule {}
  return GatewayModule;
}

const fx = issuerFixture({
  impersonation: { grants: [{ name: 'support', initiators: ['group:admins'], targets: ['*'] }] },
});

const as = (sub: string, groups: string[] = []) =>
  assertionHeaders(fx.issuer.mintAssertion({ sub, groups }));
const admin = () => ({ ...as('alice', ['admins']), 'impersonate-user': 'bob' });
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('socket.io gateway (@nestjs/platform-socket.io)', () => {
  let app: RunningApp;
  const clients: ClientSocket[] = [];
  before(async () => {
    app = await startNestApp(gatewayModule(fx.options, SocketIoGateway), 'express');
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await app?.close();
  });

  const connect = async (headers: Record<string, string>): Promise<ClientSocket> => {
    const socket = io(app.url, { transports: ['websocket'], extraHeaders: headers });
    clients.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  };
  /** The handler's answer, or the `exception` event the guard's refusal becomes. */
  const send = (socket: ClientSocket, event: string) =>
    new Promise<{ answer?: unknown; exception?: unknown }>((resolve) => {
      socket.once('exception', (exception: unknown) => resolve({ exception }));
      socket.emit(event, {}, (answer: unknown) => resolve({ answer }));
    });

  test('a message gets the identity of the handshake, and the handler the decorators', async () => {
    const socket = await connect(as('carol'));
    assert.deepEqual(await send(socket, 'whoami'), {
      answer: { id: 'carol', by: 'carol', impersonating: false, impersonationHeaderLeft: null },
    });
  });

  test('an impersonating handshake: granted on one handler, refused with a WsException body on a ForbidImpersonation one', async () => {
    const socket = await connect(admin());
    assert.deepEqual(await send(socket, 'secret'), {
      exception: {
        error: 'impersonation_denied',
        error_description: 'Impersonation is not allowed',
      },
    });
    // The refused handler did not take the impersonation headers with it.
    assert.deepEqual(await send(socket, 'whoami'), {
      answer: { id: 'bob', by: 'alice', impersonating: true, impersonationHeaderLeft: null },
    });
    assert.deepEqual(await send(socket, 'secret'), {
      exception: {
        error: 'impersonation_denied',
        error_description: 'Impersonation is not allowed',
      },
    });
  });

  test('a connection without a credential is refused on each message with the 401 body', async () => {
    const socket = await connect({});
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await send(socket, 'whoami'), {
        exception: {
          error: 'credentials_required',
          error_description: 'Authentication is required',
        },
      });
    }
  });

  test('a handler decides once per connection: later messages reuse the identity (one audit event)', async () => {
    const requestId = 'ws-once';
    const socket = await connect({ ...admin(), 'x-request-id': requestId });
    for (let i = 0; i < 3; i++)
      assert.equal(((await send(socket, 'whoami')).answer as { id: string }).id, 'bob');
    await settle();
    assert.deepEqual(
      fx.events.filter((e) => e.request.request_id === requestId).map((e) => e.event),
      ['impersonation_granted'],
    );
  });
});

describe('ws gateway (@nestjs/platform-ws)', () => {
  let app: RunningApp;
  const sockets: WebSocket[] = [];
  before(async () => {
    app = await startNestApp(gatewayModule(fx.options, WsGateway), 'express', [], (nest) =>
      nest.useWebSocketAdapter(new WsAdapter(nest)),
    );
  });
  after(async () => {
    for (const s of sockets) s.terminate();
    await app?.close();
  });

  const connect = async (headers: Record<string, string>): Promise<WebSocket> => {
    const socket = new WebSocket(`${app.url.replace('http', 'ws')}/ws`, { headers });
    sockets.push(socket);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return socket;
  };
  const send = (socket: WebSocket, event: string) =>
    new Promise<unknown>((resolve) => {
      // A text frame, as a Buffer (ws's default binaryType).
      socket.once('message', (data) => resolve(JSON.parse((data as Buffer).toString())));
      socket.send(JSON.stringify({ event, data: {} }));
    });

  test('the guard reads the upgrade request handed over with setUpgradeRequest', async () => {
    const socket = await connect(admin());
    assert.deepEqual(await send(socket, 'whoami'), {
      event: 'whoami',
      data: { id: 'bob', by: 'alice' },
    });
    assert.deepEqual(await send(socket, 'secret'), {
      event: 'exception',
      data: { error: 'impersonation_denied', error_description: 'Impersonation is not allowed' },
    });
  });

  test('without the upgrade request every message is refused, never passed', async () => {
    const socket = await connect({ ...as('carol'), 'x-test-no-upgrade-request': '1' });
    const answer = (await send(socket, 'whoami')) as { event: string; data: { thrown?: string } };
    assert.equal(answer.event, 'exception');
    assert.match(answer.data.thrown ?? '', /no handshake request.*setUpgradeRequest/);
  });
});
