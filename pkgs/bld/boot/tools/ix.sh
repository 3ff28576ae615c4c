{# Build shell tools for every node: dash as sh, coreutils, make, sed, grep, gawk, tar, gzip,
   xz, bzip2, diffutils, findutils, patch, from pinned Debian bookworm amd64 packages with the
   glibc they need, relocated into $out with the pinned busybox and patchelf (die/boot.sh). Its id
   depends only on these pinned inputs and tools. #}
{% extends '//die/boot.sh' %}
{% block fetch %}
 apt:dash=0.5.12-2/amd64 sha:33ea40061da2f1a861ec46212b2b6a34f0776a049b1a3f0abce2fb8cb994258f
 apt:coreutils=9.1-1/amd64 sha:61038f857e346e8500adf53a2a0a20859f4d3a3b51570cc876b153a2d51a3091
 apt:make=4.3-4.1/amd64 sha:a1a83af8cbd854af887b72ad196b1f4af58387815e21ced1000253a116a46e2a
 apt:sed=4.9-1+deb12u1/amd64 sha:fd557efeee8aae4619c2cb7f68aadccb804322ad4a99ab048aaae5901d253885
 apt:grep=3.8-5/amd64 sha:3264acea728df3c48a54f20e9291b965130e306b9d00adac76647049da7196df
 apt:gawk=1:5.2.1-2/amd64 sha:9cd63c1b35ff082092c221a23dcb167f72c4d1c3de3a42e11f16181f42ab3b55
 apt:tar=1.34+dfsg-1.2+deb12u1/amd64 sha:24fb92e98c2969171f81a8b589263d705f6b1670f95d121cd74c810d4605acc3
 apt:gzip=1.12-1/amd64 sha:eabec1dde2834f72540d7b93fc5df2625f52611c06d93d61f5cdb12480e0e6a3
 apt:xz-utils=5.4.1-1+deb12u2/amd64 sha:f99fc3fe4b4e5baecf5fd8b53853a82e1e71cb5ec187b36b0ddcf227a8961c8f
 apt:bzip2=1.0.8-5+b1/amd64 sha:438871b3f5c5c7a357a9840951dab9dab8db7eb1ff760a563226fafa111b99e5
 apt:diffutils=1:3.8-4/amd64 sha:8bdfedc14c1035e3750e9f055ac9c1ecd9b5d05d9e6dc6466c4e9237eef407dd
 apt:findutils=4.9.0-4/amd64 sha:5dd86bd0af4aa73f067dfd6b8339dd868f2dd84056aa79db29d1206d4fbc5e04
 apt:patch=2.7.6-7/amd64 sha:8c6d49b771530dbe26d7bd060582dc7d2b4eeb603a20789debc1ef4bbbc4ef67
 apt:libc6=2.36-9+deb12u14/amd64 sha:ba4f88f73dbc3ae9055f3c20f4523bfdbaf1ad13ff95e258924f77d20b4fbedf
 apt:libacl1=2.3.1-3/amd64 sha:8be9df5795114bfe90e2be3d208ef47a5edd3fc7b3e20d387a597486d444e5e2
 apt:libattr1=1:2.5.1-4/amd64 sha:c4945123d66d0503ba42e2fc0585abc76d0838978c6d277b9cc37a4da25d1a34
 apt:libselinux1=3.4-1+b6/amd64 sha:2b07f5287b9105f40158b56e4d70cc1652dac56a408f3507b4ab3d061eed425f
 apt:libpcre2-8-0=10.42-1+deb12u2/amd64 sha:d2f7edfcc7689b9e0761c2742cc824ac86a20768bc5e8057818dc6875291fe76
 apt:libgmp10=2:6.2.1+dfsg1-1.1/amd64 sha:187aedef2ed763f425c1e523753b9719677633c7eede660401739e9c893482bd
 apt:libmpfr6=4.2.0-1/amd64 sha:37b7a2b4e78890b6a074777f27b96c84f58e81558ba08410c2b6c0ca4a4ad77b
 apt:libsigsegv2=2.14-1/amd64 sha:92336a5c47989b82ba4c778adc0ea22fc84450773f2d8428fca4448b0789cfe6
 apt:libreadline8=8.2-1.3/amd64 sha:e02ebbd3701cf468dbf98d6d917fbe0325e881f07fe8b316150c8d2a64486e66
 apt:libtinfo6=6.4-4/amd64 sha:072d908f38f51090ca28ca5afa3b46b2957dc61fe35094c0b851426859a49a51
 apt:liblzma5=5.4.1-1+deb12u2/amd64 sha:3d8c29c8c21ec6007635e1b2591edf98b771c9572a085968f47452b33040f384
 apt:libbz2-1.0=1.0.8-5+b1/amd64 sha:54149da3f44b22d523b26b692033b84503d822cc5122fed606ea69cc83ca5aeb
 apt:libzstd1=1.5.4+dfsg2-5/amd64 sha:6315b5ac38b724a710fb96bf1042019398cb656718b1522279a5185ed39318fa
 apt:zlib1g=1:1.2.13.dfsg-1/amd64 sha:d7dd1d1411fedf27f5e27650a6eff20ef294077b568f4c8c5e51466dc7c08ce4
 apt:libcrypt1=1:4.4.33-2/amd64 sha:f5f60a5cdfd4e4eaa9438ade5078a57741a7a78d659fcb0c701204f523e8bd29
{% endblock %}
{% block relocated %}
ln -sfn dash "$out/bin/sh"
ln -sfn gawk "$out/bin/awk"
# GNU make runs recipes with the host shell by default, which builds do not have: wrap it
mv "$out/bin/make" "$out/bin/make.real"
rm -f "$out/bin/gmake"
printf '#!%s/bin/sh\nexec %s/bin/make.real SHELL=%s/bin/sh "$@"\n' "$out" "$out" "$out" > "$out/bin/make"
chmod 755 "$out/bin/make"
ln -s make "$out/bin/gmake"
rm -rf "$out/sbin" "$out/libexec" "$out/share"
{% endblock %}
