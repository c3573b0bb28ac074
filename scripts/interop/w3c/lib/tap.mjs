// Logging pass-through between the nginx front and vcservice (harness only):
//   node tap.mjs <listen-port> <upstream-port> <jsonl-file>
// One JSON line per exchange: time, method, url, status, request and response bodies (truncated;
// the token endpoint's form is not logged). Headers pass unchanged (Host, X-Forwarded-*).
// Why: lib/summarize.mjs ties each failing test to the requests made while it ran, so that
// failures.md and reasons.md show what vcservice was sent and what it answered.
import fs from 'node:fs';
import http from 'node:http';
const [listen, upstream, file] = process.argv.slice(2);
const out = fs.createWriteStream(file, {flags: 'a'});
const MAX = 20000;
http.createServer((req, res) => {
  const t = Date.now();
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const up = http.request({host: '127.0.0.1', port: Number(upstream), method: req.method, path: req.url,
      headers: req.headers}, ures => {
      const rchunks = [];
      ures.on('data', c => rchunks.push(c));
      ures.on('end', () => {
        const rbody = Buffer.concat(rchunks);
        res.writeHead(ures.statusCode, ures.headers);
        res.end(rbody);
        const url = req.url;
        out.write(JSON.stringify({t, ms: Date.now() - t, method: req.method, url, status: ures.statusCode,
          req: url.startsWith('/oauth/token') ? '(form)' : body.toString('utf8').slice(0, MAX),
          res: url.startsWith('/status-lists/') && ures.statusCode === 200 ? '(status list)' :
            rbody.toString('utf8').slice(0, MAX)}) + '\n');
      });
    });
    up.on('error', e => { res.writeHead(502); res.end(String(e)); });
    up.end(body);
  });
}).listen(Number(listen), '127.0.0.1');
