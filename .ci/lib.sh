# Shared by the scripts in .ci/: source it.

# The newest CPython 3.12+ on the machine runs the Python tools: CPython 3.11.7's `ast`
# module can fail with "AST constructor recursion depth mismatch" inside a tool's own code,
# which would end a run with an error that says nothing about Veikart.
tool_python() {
  if command -v pyenv >/dev/null 2>&1; then
    local newest
    newest=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])(\.[0-9]+)*$' | sort -V | tail -n 1)
    if [ -n "${newest}" ]; then
      echo "$(pyenv root)/versions/${newest}/bin/python3"
      return
    fi
  fi
  for candidate in python3.14 python3.13 python3.12; do
    if "${candidate}" --version >/dev/null 2>&1; then
      echo "${candidate}"
      return
    fi
  done
  echo python3
}
