#include <QtTest>

class Test_participantwindow : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_participantwindow)
#include "tst_participantwindow.moc"
