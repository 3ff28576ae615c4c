/* b64: base64 encode stdin to stdout (76-column lines), or decode with -d.
 * A tiny program whose source lives beside its recipe (pkgs/bin/b64). */
#include <stdio.h>
#include <string.h>

static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int encode(void) {
    unsigned char in[3];
    size_t n;
    int col = 0;
    while ((n = fread(in, 1, 3, stdin)) > 0) {
        unsigned v = in[0] << 16 | (n > 1 ? in[1] << 8 : 0) | (n > 2 ? in[2] : 0);
        char o[4] = { abc[v >> 18 & 63], abc[v >> 12 & 63], n > 1 ? abc[v >> 6 & 63] : '=', n > 2 ? abc[v & 63] : '=' };
        fwrite(o, 1, 4, stdout);
        if ((col += 4) == 76) { putchar('\n'); col = 0; }
        if (n < 3) break;
    }
    if (col) putchar('\n');
    return ferror(stdin) ? 1 : 0;
}

static int decode(void) {
    unsigned v = 0;
    int bits = 0, c;
    while ((c = getchar()) != EOF) {
        const char *p;
        if (c == '=' || c == '\n' || c == '\r') continue;
        if (!(p = strchr(abc, c)) || !c) { fprintf(stderr, "b64: invalid input\n"); return 1; }
        v = v << 6 | (unsigned)(p - abc);
        if ((bits += 6) >= 8) { bits -= 8; putchar(v >> bits & 255); }
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "-d"))) { fprintf(stderr, "usage: b64 [-d] < in > out\n"); return 2; }
    return argc == 2 ? decode() : encode();
}
