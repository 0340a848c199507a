// The machine's HTTP ceiling: a raw node:http hello-world in its own process.
import { createServer } from 'node:http';
import { failChild, serveChild } from '../lib/child.mjs';

const body = Buffer.from('hello world');
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  serveChild({
    info: { url: `http://127.0.0.1:${port}` },
    close: () => new Promise((resolve) => server.close(resolve)),
  });
});
server.on('error', failChild);
