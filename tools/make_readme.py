"""Write README.md from nbs/index.ipynb (markdown cells and visible code cells), without quarto.
`--check` exits 1 when README.md differs from what the notebook gives."""
import json, sys, pathlib

root = pathlib.Path(__file__).resolve().parent.parent

def readme_text(nb_path=root/'nbs'/'index.ipynb'):
    "Markdown of the notebook: markdown cells as they are, code cells without `#|` directives, hidden cells left out."
    parts = []
    for c in json.loads(nb_path.read_text())['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': parts.append(src)
        elif c['cell_type'] == 'code':
            lines = src.splitlines()
            if any(l.strip() in ('#| hide', '#|hide') or l.startswith('#| export') for l in lines): continue
            parts.append('```python\n' + '\n'.join(l for l in lines if not l.startswith('#|')) + '\n```')
    return '\n\n'.join(parts).strip() + '\n'

if __name__ == '__main__':
    text, out = readme_text(), root/'README.md'
    if '--check' in sys.argv:
        if not out.exists() or out.read_text() != text: sys.exit('README.md is out of date with nbs/index.ipynb: run python tools/make_readme.py')
    else: out.write_text(text); print('wrote', out)
