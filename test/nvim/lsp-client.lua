-- Neovim 0.7's built-in LSP client driving `ix lsp` (run by test/nvim.test.ts):
--   nvim --headless -u NONE -i NONE -n -c 'luafile test/nvim/lsp-client.lua'
-- Reads its job from $IX_NVIM_JOB (JSON: cmd, the broken recipe, positions), opens the broken
-- recipe, waits for ix's diagnostics, hovers a package, jumps from a block to its template,
-- asks for completions, and writes what it saw to $IX_NVIM_OUT (JSON). Exits non-zero on error.
local job = vim.fn.json_decode(vim.fn.readfile(vim.env.IX_NVIM_JOB))
local result = { log = {} }

local function finish(code)
  vim.fn.writefile({ vim.fn.json_encode(result) }, vim.env.IX_NVIM_OUT)
  vim.cmd((code == 0 and 'qall!') or ('cquit ' .. code))
end

local ok, err = pcall(function()
  local client_id = vim.lsp.start_client({
    name = 'ix',
    cmd = job.cmd,
    cmd_env = job.env,
    root_dir = job.root,
  })
  assert(client_id, 'start_client failed')
  local client = vim.lsp.get_client_by_id(client_id)

  -- 1. the broken recipe: diagnostics at the right line
  vim.cmd('edit ' .. vim.fn.fnameescape(job.broken))
  vim.lsp.buf_attach_client(0, client_id)
  local got = vim.wait(90000, function() return #vim.diagnostic.get(0) > 0 end, 50)
  assert(got, 'no diagnostics within 90 s')
  local d = vim.diagnostic.get(0)[1]
  result.diagnostic = { lnum = d.lnum, message = d.message }

  -- 2. hover on a package in a dependency block (in the recipe that uses it)
  vim.cmd('edit ' .. vim.fn.fnameescape(job.recipe))
  vim.lsp.buf_attach_client(0, client_id)
  local params = { textDocument = vim.lsp.util.make_text_document_params(), position = job.hover }
  local hover = client.request_sync('textDocument/hover', params, 60000, 0)
  assert(hover and hover.result, 'no hover: ' .. vim.inspect(hover))
  result.hover = hover.result.contents.value

  -- 3. go to definition from a block name: the client jumps to the parent template
  params.position = job.block
  local def = client.request_sync('textDocument/definition', params, 60000, 0)
  assert(def and def.result and def.result[1], 'no definition: ' .. vim.inspect(def))
  vim.lsp.util.jump_to_location(def.result[1], 'utf-16')
  result.jumped = { file = vim.api.nvim_buf_get_name(0), line = vim.api.nvim_win_get_cursor(0)[1] - 1 }

  -- 4. completion in a dependency block
  vim.cmd('edit ' .. vim.fn.fnameescape(job.recipe))
  params = { textDocument = vim.lsp.util.make_text_document_params(), position = job.complete }
  local comp = client.request_sync('textDocument/completion', params, 60000, 0)
  assert(comp and comp.result, 'no completion: ' .. vim.inspect(comp))
  local items = comp.result.items or comp.result
  result.completion = {}
  for _, it in ipairs(items) do table.insert(result.completion, it.label) end

  client.stop()
  vim.wait(5000, function() return client.is_stopped() end, 50)
end)
if not ok then
  result.error = tostring(err)
  finish(3)
else
  finish(0)
end
