autocmd BufRead,BufNewFile *.ovp setfiletype ovp
