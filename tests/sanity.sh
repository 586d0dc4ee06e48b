#!/usr/bin/env bash
# ansible-test needs the collection at .../ansible_collections/cnm/overlay; copy the tracked
# files there (a symlinked path is resolved away by ansible-test) and run the sanity tests.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/cnm/overlay"
mkdir -p "$dest"
(cd "$repo" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$dest")

# ansible-test bootstraps pip in its virtualenvs with a script it downloads from a host that
# is out of reach here: give it an offline stand-in under the name it looks for, and this
# machine's pip settings (index, certificate bundle) for those virtualenvs.
cache_dir="$HOME/.ansible/test/cache"
mkdir -p "$cache_dir"
pip_version=$(grep -oP "pip='\K[0-9.]+" "$(python3 -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py" | head -n 1)
cp "$repo/tests/support/get_pip_offline.py" "$cache_dir/get_pip_${pip_version//./_}.py"
python3 -m pip config list 2>/dev/null | sed -n "s/^\(:env:\|global\)\.\([a-z-]*\)='\(.*\)'$/\2 = \3/p" \
  | sort -u | sed '1i [global]' > "$cache_dir/pip.conf"

cd "$dest"
git init -q && git add -A && git -c user.email=ci@localhost -c user.name=ci commit -qm sanity
python_version=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# --venv: ansible-test makes and caches its own virtualenvs with the tools each test needs.
ansible-test sanity --venv --requirements --python "$python_version" --color no "$@"
