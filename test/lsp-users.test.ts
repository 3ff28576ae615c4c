// The language server's textual index of template users (hosts/lsp/users.ts): built from the
// extends/include closures of every template file, before any plan; updated when an edit moves a
// file's references, and only then.
import { describe, expect, test } from 'vitest';
import { Family } from '../hosts/lsp/family';
import { TemplateUsers } from '../hosts/lsp/users';
import { Workspace } from '../hosts/lsp/workspace';
import { tempDir, writeTree } from './support/cli';

describe('textual index of template users', () => {
  test('knows who reaches a template, follows edits that move references, and only those', async () => {
    const root = writeTree({
      'die/a.sh': '{% block build %}{% endblock %}\n',
      'die/b.sh': '{% block build %}{% endblock %}\n',
      't/x.sh': "{% extends '//die/a.sh' %}\n",
      'bin/p1/ix.sh': "{% extends '//t/x.sh' %}\n",
      'bin/p2/ix.sh': "{% extends '//die/b.sh' %}\n{% block build %}\n{% include '//t/x.sh' %}\n{% endblock %}\n",
      'bin/p3/ix.sh': "{% extends '//die/b.sh' %}\n",
    }, tempDir('ix-users-'));
    const ws = new Workspace([root], () => new Uint8Array(32));
    const family = new Family(ws);
    let walks = 0;
    const users = new TemplateUsers(family, () => (walks++, ws.templateFiles()));
    await users.build();
    expect(walks).toBe(1);
    expect(users.usersOf('die/a.sh').sort()).toEqual(['bin/p1', 'bin/p2']);
    expect(users.usersOf('t/x.sh').sort()).toEqual(['bin/p1', 'bin/p2']);
    expect(users.usersOf('die/b.sh').sort()).toEqual(['bin/p2', 'bin/p3']);

    // t/x.sh now extends die/b.sh: everyone who reached it moves along
    const edit = (logical: string, text: string) => {
      ws.setOverlay(`${root}/${logical}`, text);
      family.forget([logical]);
      users.changed([logical]);
    };
    edit('t/x.sh', "{% extends '//die/b.sh' %}\n");
    expect(users.usersOf('die/a.sh')).toEqual([]);
    expect(users.usersOf('die/b.sh').sort()).toEqual(['bin/p1', 'bin/p2', 'bin/p3']);

    // a body edit that keeps the references re-reads nobody: only the edited file's own
    // references are looked at (re-indexing would walk its closure: t/x.sh, die/b.sh)
    const refs = family.refs.bind(family);
    const asked: string[] = [];
    family.refs = (path: string) => (asked.push(path), refs(path));
    edit('t/x.sh', "{% extends '//die/b.sh' %}\n{% block build %}make{% endblock %}\n");
    expect(asked).toEqual(['t/x.sh']);
    expect(users.usersOf('t/x.sh').sort()).toEqual(['bin/p1', 'bin/p2']);
    family.refs = refs;

    // a new recipe is indexed at its first change
    edit('bin/p4/ix.sh', "{% extends '//die/a.sh' %}\n");
    expect(users.usersOf('die/a.sh')).toEqual(['bin/p4']);
  });
});
