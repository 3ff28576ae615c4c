{# Cross C compiler and binutils for linux-aarch64 that run on linux-x86_64 (Debian bookworm
   gcc-12-aarch64-linux-gnu, binutils-aarch64-linux-gnu, libgcc for arm64) with the glibc they
   run on, relocated into $out. lib/c for linux-aarch64 (musl from source) is built with it. #}
{% extends '//die/boot.sh' %}
{% block fetch %}
apt:gcc-12-aarch64-linux-gnu=12.2.0-14cross1/amd64 sha:43747bbcd46a4062e66e855090b8ed9c2e06a93ae5a69fb304beebbc8c36d11f
apt:cpp-12-aarch64-linux-gnu=12.2.0-14cross1/amd64 sha:5921df4ad56e34e6257a1caf862474845aab6548ba7ae7852e8cdd7cb622394e
apt:libgcc-12-dev-arm64-cross=12.2.0-14cross1/all sha:ff1324e262bae2c3aad685c2ed52bd531ab0a2a337a0fe35c3b720947d55b2ba
apt:binutils-aarch64-linux-gnu=2.40-2/amd64 sha:3d6f64a7a4ed6d73719f8fa2e85fd896f58ff7f211a6683942ba93de690aaa66
apt:libbinutils=2.40-2/amd64 sha:fcf55b99e5f8a78f3c8ce9b6957f1024f394cf20c196b100d308a57e43547710
apt:libctf0=2.40-2/amd64 sha:3fb7b6f326be3fae4a87a3d33b9269bd06c1e4346a24bd737f265067e3b7427f
apt:libctf-nobfd0=2.40-2/amd64 sha:ef1dfcf22de41ea90ebd3d505447ccccd999e96b85aa777a1d7d981dc3b347aa
apt:libgprofng0=2.40-2/amd64 sha:a3c4092d84f19d13caf90f3c96eec53db8819f0e3a5247434944d71ed75fa53d
apt:libjansson4=2.14-2/amd64 sha:3fc9742f9f1a37bcb9931df6074b4d1483419ef832ad5349f47323e75fc27864
apt:libstdc++6=12.2.0-14+deb12u1/amd64 sha:5cd3171216d4ab0fc911cfe9c35509bf2dd8f47761c43b7f6a4296701551a24d
apt:libgcc-s1=12.2.0-14+deb12u1/amd64 sha:3016e62cb4b7cd8038822870601f5ed131befe942774d0f745622cc77d8a88f7
apt:libgmp10=2:6.2.1+dfsg1-1.1/amd64 sha:187aedef2ed763f425c1e523753b9719677633c7eede660401739e9c893482bd
apt:libmpfr6=4.2.0-1/amd64 sha:37b7a2b4e78890b6a074777f27b96c84f58e81558ba08410c2b6c0ca4a4ad77b
apt:libmpc3=1.3.1-1/amd64 sha:d7f79544790e44f9b0c8cb9034a18c58d37f8702a15f32539050718679e52f80
apt:libisl23=0.25-1.1/amd64 sha:ebff0b2f8b220c74224197523019366e97ee4770d464bebc48e4865114e4da0e
apt:libzstd1=1.5.4+dfsg2-5/amd64 sha:6315b5ac38b724a710fb96bf1042019398cb656718b1522279a5185ed39318fa
apt:zlib1g=1:1.2.13.dfsg-1/amd64 sha:d7dd1d1411fedf27f5e27650a6eff20ef294077b568f4c8c5e51466dc7c08ce4
apt:libc6=2.36-9+deb12u14/amd64 sha:ba4f88f73dbc3ae9055f3c20f4523bfdbaf1ad13ff95e258924f77d20b4fbedf
{% endblock %}
{% block relocated %}
# only the C cross compiler and the cross binutils are used: drop the rest
rm -rf "$out/share" "$out/sbin" "$out/lib64"
rm -f "$out"/bin/*lto-dump* "$out"/bin/*gprofng* "$out"/bin/*gp-* "$out"/bin/*dwp "$out"/bin/*gold
rm -f "$out"/lib/gcc-cross/aarch64-linux-gnu/12/lib*san* "$out"/lib/gcc-cross/aarch64-linux-gnu/12/libgomp* \
    "$out"/lib/gcc-cross/aarch64-linux-gnu/12/libitm*
{% endblock %}
