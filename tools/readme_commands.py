"""Print the README's set-up command number N (1: install + main job, 2: install + all tests)."""
import re, sys, pathlib
blocks = re.findall(r'```sh\n(.*?)\n```', (pathlib.Path(__file__).resolve().parent.parent / 'README.md').read_text(), re.S)
print(blocks[int(sys.argv[1]) - 1].strip())
