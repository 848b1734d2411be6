import test from 'ava';
import { BindingError, decodeBinding, encodeBinding, maskPrefixLength, sizeofIpBinding, type BindingErrorCode } from '../lib/config/index.js';

function expectError(t: import('ava').ExecutionContext, fn: () => unknown, code: BindingErrorCode, ...fragments: string[]) {
  const err = t.throws(fn, { instanceOf: BindingError });
  t.is(err?.code, code, err?.message);
  for (const f of fragments) t.true(err!.message.includes(f), `"${err!.message}" lacks "${f}"`);
}

test('SIZEOF_IP_BINDING(n) = 24 + 8n', (t) => {
  t.deepEqual([0, 1, 2].map(sizeofIpBinding), [24, 32, 40]);
  t.is(encodeBinding({}).length, 24);
  t.is(encodeBinding({ addresses: [{ address: '10.0.0.1', prefixLength: 8 }] }).length, 32);
});

test('exact byte layout', (t) => {
  const buf = encodeBinding({
    addresses: [
      { address: '192.0.2.10', mask: '255.255.255.0' },
      { address: '10.1.2.3', prefixLength: 12 },
    ],
    remoteAddress: '198.51.100.1',
    mtu: 1500,
    speed: 0x0102030405060708n,
  });
  t.is(
    buf.toString('hex'),
    [
      '02000000', // AddressCount
      'c6336401', // RemoteAddress, network order
      'dc050000', // Mtu 1500
      '00000000', // pad
      '0807060504030201', // Speed
      'c000020a', 'ffffff00',
      '0a010203', 'fff00000',
    ].join(''),
  );
});

test('decode: addresses, prefix lengths, remote, mtu, speed', (t) => {
  const buf = encodeBinding({
    addresses: [
      { address: '192.0.2.10', mask: '255.255.255.0' },
      { address: '10.1.2.3', prefixLength: 0 },
      { address: '10.9.9.9', prefixLength: 32 },
    ],
    remoteAddress: '198.51.100.1',
    mtu: 1400,
    speed: 10_000_000_000n,
  });
  t.deepEqual(decodeBinding(buf), {
    addresses: [
      { address: '192.0.2.10', mask: '255.255.255.0', prefixLength: 24 },
      { address: '10.1.2.3', mask: '0.0.0.0', prefixLength: 0 },
      { address: '10.9.9.9', mask: '255.255.255.255', prefixLength: 32 },
    ],
    remoteAddress: '198.51.100.1',
    mtu: 1400,
    speed: 10_000_000_000n,
  });
});

test('unnumbered interface and no remote address', (t) => {
  t.deepEqual(decodeBinding(encodeBinding({})), { addresses: [], remoteAddress: null, mtu: 0, speed: 0n });
  t.deepEqual(decodeBinding(new Uint8Array(24)).addresses, []);
});

test('non-contiguous mask is reported with prefixLength null', (t) => {
  const b = decodeBinding(encodeBinding({ addresses: [{ address: '10.0.0.1', mask: '255.0.255.0' }] }));
  t.deepEqual(b.addresses[0], { address: '10.0.0.1', mask: '255.0.255.0', prefixLength: null });
  t.is(maskPrefixLength(0x80000000), 1);
  t.is(maskPrefixLength(0x7fffffff), null);
  t.is(maskPrefixLength(0xffffffff), 32);
});

test('TRUNCATED: shorter than the 24-byte header', (t) => {
  expectError(t, () => decodeBinding(Buffer.alloc(23)), 'TRUNCATED', '23 bytes', '24-byte header');
});

test('BAD_COUNT: AddressCount larger than the buffer holds', (t) => {
  const buf = encodeBinding({ addresses: [{ address: '10.0.0.1', prefixLength: 8 }] });
  buf.writeUInt32LE(2, 0);
  expectError(t, () => decodeBinding(buf), 'BAD_COUNT', 'AddressCount 2', 'needs 40 bytes', 'buffer is 32');
  buf.writeUInt32LE(0xffffffff, 0);
  expectError(t, () => decodeBinding(buf), 'BAD_COUNT', 'AddressCount 4294967295', '34359738384');
});

test('TRAILING unless allowTrailing', (t) => {
  const buf = Buffer.concat([encodeBinding({ mtu: 9000 }), Buffer.alloc(8, 0xff)]);
  expectError(t, () => decodeBinding(buf), 'TRAILING', 'buffer is 32 bytes', 'accounts for 24');
  t.is(decodeBinding(buf, { allowTrailing: true }).mtu, 9000);
});

test('encode rejects bad input', (t) => {
  expectError(t, () => encodeBinding({ addresses: [{ address: '10.0.0', prefixLength: 8 }] }), 'BAD_VALUE', 'addresses[0].address');
  expectError(t, () => encodeBinding({ addresses: [{ address: '10.0.0.1', prefixLength: 33 }] }), 'BAD_VALUE', 'prefixLength 33');
  expectError(t, () => encodeBinding({ remoteAddress: 'peer' }), 'BAD_VALUE', 'remoteAddress');
  expectError(t, () => encodeBinding({ mtu: -1 }), 'BAD_VALUE', 'mtu');
  expectError(t, () => encodeBinding({ speed: 2n ** 64n }), 'BAD_VALUE', 'speed');
  expectError(t, () => encodeBinding({ speed: 1.5 }), 'BAD_VALUE', 'speed');
});
