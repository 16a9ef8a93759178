"Package setup, driven by settings.ini (nbdev layout); no pkg_resources."
from configparser import ConfigParser
import re, setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read('settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

licenses = {'apache2': 'Apache-2.0'}  # SPDX expression (license classifiers are deprecated)
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = '3.10 3.11 3.12'.split()
lic = licenses[cfg['license']]
min_python = cfg['min_python']
requirements = cfg.get('requirements', '').split()
dev_requirements = cfg.get('dev_requirements', '').split()
long_description = open('README.md', encoding='utf-8').read()
# relative links and images in the README point at the repository
long_description = re.sub(r'(\]\()(?!http)([^)]+\))', rf"\1{cfg['git_url']}/blob/{cfg['branch']}/\2", long_description)

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    license=lic,
    classifiers=[f"Development Status :: {statuses[int(cfg['status'])]}",
                 f"Intended Audience :: {cfg['audience'].title()}",
                 f"Natural Language :: {cfg['language'].title()}"]
                + [f'Programming Language :: Python :: {v}' for v in py_versions[py_versions.index(min_python):]],
    url=cfg['git_url'],
    packages=setuptools.find_packages(include=['grpo_nb', 'grpo_nb.*']) + ['grpo_nb.data'],
    package_dir={'grpo_nb.data': 'data'},  # the top-level data/ folder ships inside the package (see grpo_nb.core.data_path)
    include_package_data=True,
    package_data={'grpo_nb.data': ['*', '**/*']},
    install_requires=requirements,
    extras_require={'dev': dev_requirements},
    python_requires=f'>={min_python}',
    long_description=long_description,
    long_description_content_type='text/markdown',
    zip_safe=False,
    entry_points={'console_scripts': cfg.get('console_scripts', '').split(),
                  'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    author=cfg['author'], author_email=cfg['author_email'], description=cfg['description'],
    keywords=cfg['keywords'], 
)
