# bash completion for imc (installed as share/bash-completion/completions/imc)
_imc() {
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    cmd=${COMP_WORDS[1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "convert info view --formats --version --help" -- "$cur"))
        return
    fi
    case "$prev" in
        --out) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --to) COMPREPLY=($(compgen -W "$(imc --formats 2>/dev/null | awk 'NR > 1 && $3 == "yes" {
                  for (i = 4; i <= NF; i++) print "." $i }')" -- "$cur")); return ;;
        --orientation) COMPREPLY=($(compgen -W "apply ignore flags" -- "$cur")); return ;;
        -f|--flags) COMPREPLY=($(compgen -W "UNCHANGED GRAYSCALE COLOR ANYDEPTH ANYCOLOR
                  REDUCED_GRAYSCALE_2 REDUCED_COLOR_2 REDUCED_GRAYSCALE_4 REDUCED_COLOR_4
                  REDUCED_GRAYSCALE_8 REDUCED_COLOR_8 IGNORE_ORIENTATION" -- "$cur")); return ;;
        -q|--quality|-j|--jobs|-w|--width|-p|--param|--size) return ;;
    esac
    if [[ "$cur" == -* ]]; then
        case "$cmd" in
            convert) COMPREPLY=($(compgen -W "--quality --param --flags --orientation --out --to
                         --jobs --overwrite --partial --size --crop --strip --help" -- "$cur")) ;;
            info) COMPREPLY=($(compgen -W "--json --check --help" -- "$cur")) ;;
            view) COMPREPLY=($(compgen -W "--width --flags --window --help" -- "$cur")) ;;
        esac
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _imc imc
