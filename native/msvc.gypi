# MSVC settings of every native target, against node-gyp's defaults (node's common.gypi):
# C++ exceptions on (common.gypi defines _HAS_EXCEPTIONS=0 and sets no /EH), and the static C
# runtime in every configuration (common.gypi's choice follows the building Node's node_shared).
# The RemoteAccess service of a stock Windows Server has no Visual C++ redistributable, and a
# std::bad_alloc or std::system_error must reach the entry points' guard, not terminate RRAS.
#
# Each target of binding.gyp includes this file rather than binding.gyp's target_defaults
# carrying it: gyp lets an included file's scalars override its includer's (node-gyp includes
# common.gypi into binding.gyp), and a configuration's override its target's. scripts/
# check-build-files.js checks the MSBuild projects gyp generates for OS=win.
{
  'conditions': [
    ['OS=="win"', {
      'defines!': ['_HAS_EXCEPTIONS=0'],
      'defines': ['_HAS_EXCEPTIONS=1'],
      'msvs_settings': { 'VCCLCompilerTool': { 'ExceptionHandling': 1 } },  # /EHsc
      'configurations': {
        'Release': { 'msvs_settings': { 'VCCLCompilerTool': { 'RuntimeLibrary': 0 } } },  # /MT
        'Debug': { 'msvs_settings': { 'VCCLCompilerTool': { 'RuntimeLibrary': 1 } } },  # /MTd
      },
    }],
  ],
}
