/**
 * Generates a synthetic, IX-shaped recipe tree for benchmarks and determinism tests:
 * `generateTree({ libs, bins, seed })` returns { "<logical path>": "text" }.
 *
 * Shape (all templates written for ix, nothing taken from IX):
 *   die/base.json  root of every chain: renders the JSON descriptor from blocks
 *   die/std.sh     list blocks -> JSON, the script assembled from step blocks
 *   die/c/make.sh  tools bld/make + bld/sh, unpack from fetch, `self.make_flags().strip()`
 *   die/c/auto.sh  configure step, `{{ super() }}`              (4 levels: pkg->auto->make->std->base)
 *   die/c/cmake.sh cmake tool and flags                         (4 levels: pkg->cmake->make->std->base)
 *   die/c/flags.sh an include with a block, pulled in by recipes
 *   bld/{make,sh,cmake,pkg-config}  host tools (extend die/std.sh)
 *   lib/l<i>       libraries: lib deps on up to 3 earlier libraries of its group + a base one (a DAG),
 *                  fetch with sha256,
 *                  a version block used as `self.version().strip()`, some with a `ver.sh` include
 *   bin/b<j>       programs depending on libraries; set/world a hub over every program
 * Every library is reachable from set/world, so planning it renders libs + bins + tools packages.
 * Deterministic for a given seed (a small LCG, no Math.random).
 *
 * Must not depend on: the clock, randomness, the filesystem, the host.
 */

const BASE = `{% block header %}
{% endblock %}
{
  "bld": {
    "fetch": {% block bld_fetch_json %}[]{% endblock %},
    "script": {% block bld_script_json %}{}{% endblock %},
    "deps": {% block bld_deps_json %}[]{% endblock %},
    "host_libs": [],
    "target_libs": {% block bld_libs_json %}[]{% endblock %},
    "data": []
  },
  "run": {"deps": {% block run_deps_json %}[]{% endblock %}, "data": []},
  "lib": {"deps": {% block lib_deps_json %}[]{% endblock %}},
  "net": false,
  "task_pool": "{% block pool %}cpu{% endblock %}"
}
`;

const STD = `{% extends '//die/base.json' %}
{# list blocks become JSON; the script is the steps joined #}
{% block bld_fetch_json %}
{{ self.fetch() | parse_urls | jd }}
{% endblock %}
{% block bld_deps_json %}
{{ self.bld_tool() | list_to_json }}
{% endblock %}
{% block bld_libs_json %}
{{ self.bld_libs() | list_to_json }}
{% endblock %}
{% block lib_deps_json %}
{{ self.lib_deps() | list_to_json }}
{% endblock %}
{% block run_deps_json %}
{{ self.run_deps() | list_to_json }}
{% endblock %}
{% block bld_script_json %}
{"kind": "sh", "args": ["sh", "-s"], "data": {{ self.script() | jd }}}
{% endblock %}
{% block fetch %}{% endblock %}
{% block bld_tool %}{% endblock %}
{% block bld_libs %}{% endblock %}
{% block lib_deps %}{% endblock %}
{% block run_deps %}{% endblock %}
{% block script %}
set -eu
{% block step_unpack %}{% endblock %}
{% block step_configure %}{% endblock %}
{% block step_build %}{% endblock %}
{% block step_install %}{% endblock %}
{% endblock %}
`;

const MAKE = `{% extends '../std.sh' %}
{% block bld_tool %}
bld/make
bld/sh
{{ super() }}
{% endblock %}
{% block step_unpack %}
{% for u in self.fetch() | parse_urls %}
tar -xf "$src/{{ u.url | basename }}"
{% endfor %}
cd {{ self.unpack_dir().strip() }}
{% endblock %}
{% block unpack_dir %}
{{ basename }}-{{ self.version().strip() }}
{% endblock %}
{% block step_build %}
make -j "$make_thrs" {{ self.make_flags() | fix_list }}
{% endblock %}
{% block step_install %}
make PREFIX="$out" install
{% endblock %}
{% block make_flags %}
{% if target.os == 'linux' %}
CFLAGS=-O2
{% else %}
CFLAGS=-Os
{% endif %}
{% endblock %}
{% block version %}0{% endblock %}
`;

const AUTO = `{% extends 'make.sh' %}
{% block bld_tool %}
bld/pkg-config
{{ super() }}
{% endblock %}
{% block step_configure %}
./configure --prefix="$out" --host={{ target.gnu.three }} {{ self.configure_flags() | fix_list }}
{% endblock %}
{% block configure_flags %}
--disable-shared
--enable-static
{% endblock %}
`;

const CMAKE = `{% extends '//die/c/make.sh' %}
{% block bld_tool %}
bld/cmake
{{ super() }}
{% endblock %}
{% block step_configure %}
cmake -B build -DCMAKE_INSTALL_PREFIX="$out" -DCMAKE_SYSTEM_NAME={{ target.cmake_system_name }} {{ self.cmake_flags() | fix_list }}
{% endblock %}
{% block step_build %}
cmake --build build -j "$make_thrs"
{% endblock %}
{% block cmake_flags %}
-DBUILD_SHARED_LIBS=OFF
{% endblock %}
`;

const FLAGS_INC = `{% block extra_flags %}
# comment lines vanish from lists
-DNDEBUG
{% endblock %}
`;

const TOOL = (name) => `{% extends '//die/std.sh' %}
{% block script %}
echo building tool ${name} for {{ host.name }}
mkdir -p "$out/bin"
{% endblock %}
`;

/** A deterministic 32-bit LCG (Numerical Recipes constants). */
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function hex64(rand) {
  let s = '';
  for (let i = 0; i < 8; i++) s += Math.floor(rand() * 4294967296).toString(16).padStart(8, '0');
  return s;
}

/**
 * The tree as { path: text }. `libs` libraries, `bins` programs (default libs/4), one hub
 * set/world over all programs. Package count = libs + bins + 4 tools + 1 hub.
 */
export function generateTree({ libs = 100, bins = Math.max(1, Math.floor(libs / 4)), seed = 1 } = {}) {
  const rand = lcg(seed);
  const files = {
    'die/base.json': BASE,
    'die/std.sh': STD,
    'die/c/make.sh': MAKE,
    'die/c/auto.sh': AUTO,
    'die/c/cmake.sh': CMAKE,
    'die/c/flags.sh': FLAGS_INC,
  };
  for (const t of ['make', 'sh', 'cmake', 'pkg-config']) files[`bld/${t}/ix.sh`] = TOOL(t);
  for (let i = 0; i < libs; i++) {
    // realistic closures (tens, not thousands): up to 3 deps among the 10 previous libraries of
    // the same group of 40, plus sometimes one of the 20 base libraries
    const deps = new Set();
    const k = Math.floor(rand() * 4);
    const g0 = i - (i % 40);
    for (let d = 0; d < k; d++) {
      const j = i - 1 - Math.floor(rand() * 10);
      if (j >= g0 && j >= 20) deps.add(j);
    }
    if (i >= 20 && rand() < 0.5) deps.add(Math.floor(rand() * 20));
    const style = i % 3; // 0 auto, 1 cmake, 2 make
    const die = ['//die/c/auto.sh', '//die/c/cmake.sh', '//die/c/make.sh'][style];
    const major = 1 + (i % 7);
    const withInclude = i % 5 === 0;
    if (withInclude) files[`lib/l${i}/ver.sh`] = `{% block version %}\n  ${major}.${i % 10}.${i}\n{% endblock %}\n`;
    files[`lib/l${i}/ix.sh`] = [
      `{% extends '${die}' %}`,
      withInclude ? `{% include 'ver.sh' %}` : `{% block version %}\n  ${major}.${i % 10}.${i}\n{% endblock %}`,
      `{% block fetch %}`,
      `https://example.org/l${i}/l${i}-{{ self.version().strip() }}.tar.gz`,
      `sha256:${hex64(rand)}`,
      `{% endblock %}`,
      `{% block lib_deps %}`,
      ...[...deps].sort((a, b) => a - b).map((d) => `lib/l${d}`),
      `{% endblock %}`,
      style === 1
        ? `{% include '//die/c/flags.sh' %}\n{% block cmake_flags %}\n{{ super() }}\n{{ self.extra_flags() }}\n-DL${i}_OPT={{ opt or 'off' }}\n{% endblock %}`
        : `{% block make_flags %}\n{{ super() }}\nVERSION={{ self.version().strip() }}\n{% endblock %}`,
      '',
    ].join('\n');
  }
  // every library is used by at least one program: bin j takes libraries j, j+bins, j+2*bins...
  const users = Array.from({ length: bins }, () => []);
  for (let i = 0; i < libs; i++) users[i % bins].push(i);
  for (let j = 0; j < bins; j++) {
    files[`bin/b${j}/ix.sh`] = [
      `{% extends '//die/c/auto.sh' %}`,
      `{% block version %}2.${j}{% endblock %}`,
      `{% block fetch %}`,
      `https://example.org/b${j}/b${j}-{{ self.version().strip() }}.tar.xz`,
      `sha256:${hex64(rand)}`,
      `{% endblock %}`,
      `{% block bld_libs %}`,
      ...users[j].map((i) => `lib/l${i}`),
      `{% endblock %}`,
      `{% block step_install %}`,
      `{{ super() }}`,
      `{% if linux %}`,
      `strip "$out/bin/b${j}"`,
      `{% endif %}`,
      `{% endblock %}`,
      '',
    ].join('\n');
  }
  files['set/world/ix.sh'] = [
    `{% extends '//die/std.sh' %}`,
    `{% block script %}{% endblock %}`,
    `{% block run_deps %}`,
    ...Array.from({ length: bins }, (_, j) => `bin/b${j}`),
    `{% endblock %}`,
    '',
  ].join('\n');
  return files;
}
