// The host's command line: option/value pairs, each value verbatim (issue 9 §4).
import test from 'ava';
import { parseArguments } from '../lib/host/arguments.js';

const base = ['--protocol-id', '7', '--name', 'n', '--module', '/m.js', '--address', '/s', '--generation', '1'];

test('values are taken verbatim, whatever they look like', (t) => {
  const argv = ['--protocol-id', '7', '--name', '--address', '--module', '--name', '--address', '/tmp/x/host.sock', '--generation', '2'];
  t.deepEqual(parseArguments(argv), { 'protocol-id': '7', name: '--address', module: '--name', address: '/tmp/x/host.sock', generation: '2' });
  t.is(parseArguments([...base.slice(0, 3), '', ...base.slice(4)]).name, '', 'an empty value is a value');
});

test('unknown, repeated, valueless and missing options are refused, naming them', (t) => {
  t.throws(() => parseArguments([...base, '--extra', 'x']), { message: 'unexpected argument "--extra" (at 10)' });
  t.throws(() => parseArguments([...base, '--name', 'again']), { message: '--name is given twice' });
  t.throws(() => parseArguments([...base, '--name']), { message: '--name has no value' });
  t.throws(() => parseArguments(base.slice(0, 8)), { message: 'missing --generation' });
  t.throws(() => parseArguments(['stray', ...base]), { message: 'unexpected argument "stray" (at 0)' });
});
