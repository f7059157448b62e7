// The worker of floor-server.mjs's issue-worker mode: commits each batch it is sent, then says so.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { database, columns } = workerData;
const db = new Database(database);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const insert = db.prepare(
  `INSERT INTO tokens (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
);
const commit = db.transaction((rows) => {
  for (const row of rows) insert.run(row);
});
parentPort.on('message', ({ id, rows }) => {
  commit(rows);
  parentPort.postMessage(id);
});
