# A plain DLL, not a Node addon: node-gyp's addon.gypi links win_delay_load_hook.cc, a
# delay-load of node.exe and node.lib into every target. What RRAS loads (the protocol
# library) and what stands in for rtm.dll (the mock RTM) carry no trace of Node.
{
  'win_delay_load_hook': 'false',
  'conditions': [
    ['OS=="win"', { 'libraries!': ['-l"<(node_lib_file)"', '-ldelayimp.lib'] }],
  ],
}
