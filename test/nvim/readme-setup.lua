-- Checks the Neovim setup of README.md as a user gets it (run by test/nvim.test.ts with the
-- README's Lua block installed as a plugin file): opening a recipe starts `ix lsp`, the code lens
-- shows the store path, and running it opens the rendered descriptor. Writes $IX_NVIM_OUT (JSON).
vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.IX_NVIM_RECIPE))
local buf = vim.api.nvim_get_current_buf()
vim.wait(90000, function() return #vim.lsp.codelens.get(buf) > 0 end, 100)
local lenses = vim.lsp.codelens.get(buf)
local out = { clients = #vim.lsp.get_active_clients(), lens = (lenses[1] and lenses[1].command and lenses[1].command.title) or '' }
vim.api.nvim_win_set_cursor(0, { 1, 0 })
if lenses[1] then vim.lsp.codelens.run() end
vim.wait(30000, function() return vim.bo.filetype == 'json' end, 100)
out.filetype = vim.bo.filetype
out.text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
vim.fn.writefile({ vim.fn.json_encode(out) }, vim.env.IX_NVIM_OUT)
vim.cmd('qall!')
