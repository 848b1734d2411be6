// __NAME__ under rras-bridge's MockRouter, which plays the RRAS router manager: loads the
// protocol library, calls its entry points, drains its events. __RUNNER_NOTE__
import path from 'node:path';
__TEST_IMPORTS__
import { MockRouter, NO_ERROR, ERROR_CAN_NOT_COMPLETE } from 'rras-bridge';
import { GlobalConfig, InterfaceConfig, PROTOCOL_ID___CONST__ } from '../src/protocol.js';

const protocolModule = __MODULE_PATH__; // the compiled protocol: the host runs it in Node
const lan = { addresses: [{ address: '192.0.2.1', prefixLength: 24 }] };

test('an autostatic update puts the interface routes into RTM', async (__T__) => {
  await using router = new MockRouter();
  const proto = router.register({ protocolId: PROTOCOL_ID___CONST__, module: protocolModule });
  await proto.start({ globalInfo: GlobalConfig.encode({}) });
  const routes = [{ destination: '10.1.0.0', prefixLength: 16, nextHop: '192.0.2.2', metric: 2 }];
  await proto.addEnabledInterface({ index: 3, info: InterfaceConfig.encode({ routes }) }, lan);
  const { complete } = await proto.updateRoutes(3);
  __EQUAL__(complete.updateStatus, NO_ERROR);
  const best = router.rtm.lookup('10.1.2.3');
  __EQUAL__(best?.dest, '10.1.0.0/16');
  __EQUAL__(best?.metric, 2);
});

test('an update on an interface that is not up fails, and the log says why', async (__T__) => {
  await using router = new MockRouter();
  const proto = router.register({ protocolId: PROTOCOL_ID___CONST__, module: protocolModule });
  await proto.start({ globalInfo: GlobalConfig.encode({}) });
  await proto.addInterface({ index: 4, info: InterfaceConfig.encode({ routes: [] }) }); // added, never enabled
  const { complete, log } = await proto.updateRoutes(4);
  __EQUAL__(complete.updateStatus, ERROR_CAN_NOT_COMPLETE);
  __MATCH__(log.join('\n'), /interface 4 is not up/);
});
