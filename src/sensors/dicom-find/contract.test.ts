// The sensor contract for dicom-find: against the DICOM simulator, a closed port, and a TCP peer
// that accepts the connection and never answers the association request.

import { afterAll, beforeAll } from 'vitest';
import { dicomFindKind } from './index.ts';
import { runSensorContract } from '../testing/contract.ts';
import { closedPort, startTcpServer, type TestServer } from '../testing/peers.ts';
import { startDicomSimulator, type DicomSimulator } from '../../sim/dicom/index.ts';

let sim: DicomSimulator;
let silent: TestServer;
beforeAll(async () => {
  sim = await startDicomSimulator();
  silent = await startTcpServer();
});
afterAll(async () => {
  await sim.close();
  await silent.close();
});

runSensorContract(dicomFindKind, {
  good: async () => ({ host: '127.0.0.1', port: sim.port, level: 'worklist', keys: { ScheduledProcedureStepStartDate: 'today' } }),
  refused: async () => ({ host: '127.0.0.1', port: await closedPort() }),
  refusedError: 'ECONNREFUSED',
  hang: async () => ({ settings: { host: '127.0.0.1', port: silent.port, associateTimeout: '60s' }, accepted: silent.nextRequest() }),
});
