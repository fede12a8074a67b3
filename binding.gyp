{
  # The kvm-arm native addon: thin KVM syscalls for lib/kvm (see native/addon.cc).
  # On anything but Linux it builds an empty target, so `npm install` never fails there
  # (lib/kvm/binding.ts then reports the addon as unavailable and the soft backend is used).
  # `node-gyp rebuild -- -Dkvm_arm_asan=1` builds with AddressSanitizer (scripts/fuzz-native.js).
  "variables": { "kvm_arm_asan%": 0 },
  "targets": [
    {
      "target_name": "kvm_arm",
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/addon.cc"],
          "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
          "defines": ["NAPI_VERSION=8"],
          "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
          "cflags_cc!": ["-fno-exceptions", "-std=gnu++1y", "-std=gnu++17"],
          "conditions": [
            ["kvm_arm_asan==1", {
              "cflags_cc": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g", "-O1"],
              "ldflags": ["-fsanitize=address"]
            }]
          ]
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
