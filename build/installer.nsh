; Included by electron-builder's NSIS installer (electron-builder.yml: nsis.include).
; Registers tidings:// links for the installed app, for the user or the machine as installed
; (SHELL_CONTEXT), the way Electron's app.setAsDefaultProtocolClient writes them, and removes the
; keys on uninstall. The app validates every link itself (src/shared/deepLinks.ts).

!macro customInstall
  WriteRegStr SHELL_CONTEXT "Software\Classes\tidings" "" "URL:Tidings link"
  WriteRegStr SHELL_CONTEXT "Software\Classes\tidings" "URL Protocol" ""
  WriteRegStr SHELL_CONTEXT "Software\Classes\tidings\DefaultIcon" "" "$INSTDIR\${APP_EXECUTABLE_FILENAME},0"
  WriteRegStr SHELL_CONTEXT "Software\Classes\tidings\shell\open\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "%1"'
!macroend

!macro customUnInstall
  DeleteRegKey SHELL_CONTEXT "Software\Classes\tidings"
!macroend
