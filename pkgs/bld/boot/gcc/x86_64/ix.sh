{# C compiler and binutils for linux-x86_64 (Debian bookworm gcc-12 2.40 binutils, amd64) with
   the glibc they run on, relocated into $out. No C library for the target: lib/c (musl) is
   built with this compiler, and bld/cc/linux/x86_64 wraps both into a static musl toolchain. #}
{% extends '//die/boot.sh' %}
{% block fetch %}
apt:gcc-12=12.2.0-14+deb12u1/amd64 sha:b46f33cc2ec245e435e043807038cecf4b201ef004800e9dfc1455240360e49d
apt:cpp-12=12.2.0-14+deb12u1/amd64 sha:fedbb98e877adde83c983c6071537ea25ac52b277ac6e4637d85025949ca1454
apt:libgcc-12-dev=12.2.0-14+deb12u1/amd64 sha:d720259380a84f2ffc6fe516eff5cbe9c8a005138e8d6a5748747ba4b3404a82
apt:binutils=2.40-2/amd64 sha:83c3e20b53e1fbd84d764c3ba27d26a0376e361ae5d7fb37120196934dd87424
apt:binutils-x86-64-linux-gnu=2.40-2/amd64 sha:2d7ea8a570d768224d7f2424abbe6f373d2154865a1fa7f56c80d43ecf492521
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
# only the C compiler and the binutils are used: drop the rest
rm -rf "$out/share" "$out/sbin" "$out/lib64"
rm -f "$out"/bin/*lto-dump* "$out"/bin/*gprofng* "$out"/bin/*gp-* "$out"/bin/*dwp "$out"/bin/*gold
rm -f "$out"/lib/gcc/x86_64-linux-gnu/12/lib*san* "$out"/lib/gcc/x86_64-linux-gnu/12/libgomp* \
    "$out"/lib/gcc/x86_64-linux-gnu/12/libitm* "$out"/lib/gcc/x86_64-linux-gnu/12/libquadmath*
{% endblock %}
